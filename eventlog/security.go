package eventlog

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/IBM/sarama"
	"github.com/xdg-go/scram"
)

// Security holds how stockctl authenticates to a Kafka cluster and encrypts the
// connection. The zero value is a plain connection.
type Security struct {
	TLS bool
	// CAFile, if set, holds the PEM certificates that sign the brokers' certificates,
	// instead of the system's roots. It implies TLS.
	CAFile string
	// SASLMechanism is "", PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512.
	SASLMechanism string
	User          string
	Password      string
}

// SASLMechanisms lists the mechanisms stockctl supports.
var SASLMechanisms = []string{"PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"}

// ErrSecurityConfig means the security options are inconsistent or a file is unreadable.
var ErrSecurityConfig = fmt.Errorf("security options")

// apply sets the security options on a Sarama configuration. Errors never contain the
// password.
func (s Security) apply(sc *sarama.Config) error {
	if s.TLS || s.CAFile != "" {
		tc := &tls.Config{MinVersion: tls.VersionTLS12}
		if s.CAFile != "" {
			pem, err := os.ReadFile(s.CAFile)
			if err != nil {
				return fmt.Errorf("%w: --tls-ca: %v", ErrSecurityConfig, err)
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("%w: --tls-ca %s holds no PEM certificate", ErrSecurityConfig, s.CAFile)
			}
			tc.RootCAs = pool
		}
		sc.Net.TLS.Enable = true
		sc.Net.TLS.Config = tc
	}
	if s.SASLMechanism == "" {
		if s.User != "" || s.Password != "" {
			return fmt.Errorf("%w: a SASL user or password needs --sasl-mechanism (%v)", ErrSecurityConfig, SASLMechanisms)
		}
		return nil
	}
	if s.User == "" || s.Password == "" {
		return fmt.Errorf("%w: --sasl-mechanism %s needs --sasl-user and --sasl-password (or STOCKCTL_SASL_USER and STOCKCTL_SASL_PASSWORD)", ErrSecurityConfig, s.SASLMechanism)
	}
	sc.Net.SASL.Enable = true
	sc.Net.SASL.Handshake = true
	sc.Net.SASL.User = s.User
	sc.Net.SASL.Password = s.Password
	switch s.SASLMechanism {
	case "PLAIN":
		sc.Net.SASL.Mechanism = sarama.SASLTypePlaintext
	case "SCRAM-SHA-256":
		sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA256
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.HashGeneratorFcn(sha256.New)} }
	case "SCRAM-SHA-512":
		sc.Net.SASL.Mechanism = sarama.SASLTypeSCRAMSHA512
		sc.Net.SASL.SCRAMClientGeneratorFunc = func() sarama.SCRAMClient { return &scramClient{hash: scram.HashGeneratorFcn(sha512.New)} }
	default:
		return fmt.Errorf("%w: --sasl-mechanism %q: use one of %v", ErrSecurityConfig, s.SASLMechanism, SASLMechanisms)
	}
	return nil
}

// scramClient adapts xdg-go/scram to Sarama's SCRAMClient.
type scramClient struct {
	hash scram.HashGeneratorFcn
	conv *scram.ClientConversation
}

func (c *scramClient) Begin(user, password, authzID string) error {
	client, err := c.hash.NewClient(user, password, authzID)
	if err != nil {
		return err
	}
	c.conv = client.NewConversation()
	return nil
}

func (c *scramClient) Step(challenge string) (string, error) { return c.conv.Step(challenge) }

func (c *scramClient) Done() bool { return c.conv.Done() }
