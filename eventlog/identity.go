package eventlog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/IBM/sarama"
	"github.com/google/uuid"
)

// Every embedded log has an ID of its own, which its broker reports as the cluster ID.
// A client that finds a broker through DATA_DIR/broker.addr checks it before use: after
// a crash, the file may name a port that another data directory's broker now listens on,
// and appending there would record a sale in another ledger.
const (
	idFileName = "stockctl.id" // in DATA_DIR/log/
	// legacyClusterID is the ID every embedded broker reported before each log had its own.
	legacyClusterID = "stockctl-embedded"
	// kfakeMetaFile is where kfake keeps the cluster ID, read back at start over the one
	// it is given.
	kfakeMetaFile = "meta.json"
)

// LogID returns the ID of the data directory's embedded log, or "" if none was made yet
// (a log not opened since stockctl began giving logs an ID, or no log at all).
func LogID(dataDir string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, logDirName, idFileName))
	if errors.Is(err, os.ErrNotExist) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("embedded broker: log ID: %w", err)
	}
	return strings.TrimSpace(string(b)), nil
}

// ensureLogID returns the ID of the log in logDir, creating it on first use, and makes
// kfake's meta.json carry it. The caller holds the log's lock.
func ensureLogID(logDir string) (string, error) {
	if err := os.MkdirAll(logDir, 0o755); err != nil {
		return "", fmt.Errorf("embedded broker: %w", err)
	}
	id, err := LogID(filepath.Dir(logDir))
	if err != nil {
		return "", err
	}
	metaPath := filepath.Join(logDir, kfakeMetaFile)
	meta, metaID, err := readKfakeMeta(metaPath)
	if err != nil {
		return "", err
	}
	if id == "" {
		// A log whose ID file was lost keeps the ID kfake recorded, so that the read
		// models bound to it still match; a log from before IDs gets a new one.
		id = metaID
		if id == "" || id == legacyClusterID {
			id = "stockctl-" + uuid.NewString()
		}
		if err := writeFileDurable(filepath.Join(logDir, idFileName), []byte(id+"\n")); err != nil {
			return "", fmt.Errorf("embedded broker: write log ID: %w", err)
		}
	}
	if meta != nil && metaID != id {
		meta["cluster_id"], _ = json.Marshal(id)
		b, err := json.Marshal(meta)
		if err != nil {
			return "", fmt.Errorf("embedded broker: %s: %w", metaPath, err)
		}
		if err := writeFileDurable(metaPath, b); err != nil {
			return "", fmt.Errorf("embedded broker: record log ID in %s: %w", metaPath, err)
		}
	}
	return id, nil
}

// readKfakeMeta reads kfake's meta.json, if there is one, keeping the fields stockctl
// does not know as they are.
func readKfakeMeta(path string) (map[string]json.RawMessage, string, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, "", nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("embedded broker: %w", err)
	}
	var meta map[string]json.RawMessage
	if err := json.Unmarshal(b, &meta); err != nil || meta == nil {
		// kfake reports the damage itself when it starts.
		return nil, "", nil
	}
	var id string
	json.Unmarshal(meta["cluster_id"], &id)
	return meta, id, nil
}

// clusterIDAt asks the Kafka-protocol broker at addr for its cluster ID, within timeout
// (Sarama may spend its read timeout more than once: API versions, then metadata) and
// until ctx ends.
func clusterIDAt(ctx context.Context, addr string, timeout time.Duration) (string, error) {
	var id string
	_, err := within(ctx, timeout, func(context.Context) error {
		sc := sarama.NewConfig()
		sc.ClientID = "stockctl"
		sc.Version = sarama.V2_1_0_0
		sc.Net.DialTimeout, sc.Net.ReadTimeout, sc.Net.WriteTimeout = timeout, timeout, timeout
		b := sarama.NewBroker(addr)
		if err := b.Open(sc); err != nil {
			return err
		}
		defer b.Close()
		var err error
		id, err = brokerClusterID(b, sc.Version)
		return err
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// clusterID asks the cluster the client is connected to for its ID; "" if it has none.
func clusterID(client sarama.Client, version sarama.KafkaVersion) (string, error) {
	b, err := client.Controller()
	if err != nil {
		return "", err
	}
	return brokerClusterID(b, version)
}

// brokerClusterID asks one broker for the cluster ID in its metadata; "" if it has none.
func brokerClusterID(b *sarama.Broker, version sarama.KafkaVersion) (string, error) {
	resp, err := b.GetMetadata(sarama.NewMetadataRequest(version, []string{}))
	if err != nil {
		return "", err
	}
	if resp.ClusterID == nil {
		return "", nil
	}
	return *resp.ClusterID, nil
}

// writeFileDurable replaces path with data so that a crash leaves either the old or the
// new content, and the new one survives once it returns.
func writeFileDurable(path string, data []byte) error {
	tmp := path + ".new"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err != nil {
		os.Remove(tmp)
		return err
	}
	dir, err := os.Open(filepath.Dir(path))
	if err != nil {
		return err
	}
	defer dir.Close()
	return dir.Sync()
}
