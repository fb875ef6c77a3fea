package reports

import (
	"bytes"
	"fmt"
	"html"
	"io"

	"golang.org/x/image/font"

	"github.com/golang/freetype/truetype"
	"github.com/wcharczuk/go-chart/v2"
	"github.com/wcharczuk/go-chart/v2/drawing"
)

// escapedSVG is go-chart's SVG renderer with two changes. Text is escaped: go-chart
// writes it into the SVG as it is, and product IDs are user input that may hold "<" or
// "&"; a chart inlined in a page must not add markup to it. And text is measured with
// one font face per size: go-chart makes a new face, with its glyph cache, for every
// label it measures, which cost 250 MB of garbage per dashboard.
func escapedSVG(width, height int) (chart.Renderer, error) {
	r, err := chart.SVG(width, height)
	if err != nil {
		return nil, err
	}
	return &svgRenderer{Renderer: r, width: width, height: height, faces: make(map[float64]font.Face)}, nil
}

type svgRenderer struct {
	chart.Renderer
	width, height int
	font          *truetype.Font
	size          float64
	theta         *float64
	faces         map[float64]font.Face // by size, for font
}

// Save writes the SVG with its size: go-chart gives only a viewBox, so a page stretched
// every chart to its column's width, a 560-pixel table's text to twice its size. With a
// size, a page's max-width: 100% shrinks it on a narrow screen and never enlarges it.
func (r *svgRenderer) Save(w io.Writer) error {
	var b bytes.Buffer
	if err := r.Renderer.Save(&b); err != nil {
		return err
	}
	out := bytes.Replace(b.Bytes(), []byte("<svg "), []byte(fmt.Sprintf(`<svg width="%d" height="%d" `, r.width, r.height)), 1)
	_, err := w.Write(out)
	return err
}

func (r *svgRenderer) Text(body string, x, y int) {
	r.Renderer.Text(html.EscapeString(body), x, y)
}

func (r *svgRenderer) SetFont(f *truetype.Font) {
	if f != r.font {
		clear(r.faces)
	}
	r.font = f
	r.Renderer.SetFont(f)
}

func (r *svgRenderer) SetFontSize(size float64) { r.size = size; r.Renderer.SetFontSize(size) }

func (r *svgRenderer) SetTextRotation(radians float64) {
	r.theta = &radians
	r.Renderer.SetTextRotation(radians)
}

func (r *svgRenderer) ClearTextRotation() { r.theta = nil; r.Renderer.ClearTextRotation() }

// MeasureText measures as go-chart's SVG renderer does, with a cached face.
func (r *svgRenderer) MeasureText(body string) chart.Box {
	if r.font == nil {
		return r.Renderer.MeasureText(body)
	}
	dpi := r.GetDPI()
	face, ok := r.faces[r.size]
	if !ok {
		face = truetype.NewFace(r.font, &truetype.Options{DPI: dpi, Size: r.size})
		r.faces[r.size] = face
	}
	box := chart.Box{Right: font.MeasureString(face, body).Ceil(), Bottom: int(drawing.PointsToPixels(dpi, r.size))}
	if r.theta != nil {
		box = box.Corners().Rotate(chart.RadiansToDegrees(*r.theta)).Box()
	}
	return box
}

// steadyPNG is go-chart's PNG renderer measuring unrotated text as one line of its font
// size, as the SVG renderer does, rather than by its glyphs' ink: else a label with a
// descender ("Apr 2024") measures taller than one without ("Jan 2024") and go-chart
// drops it lower under the axis.
func steadyPNG(width, height int) (chart.Renderer, error) {
	r, err := chart.PNG(width, height)
	if err != nil {
		return nil, err
	}
	return &pngRenderer{Renderer: r}, nil
}

type pngRenderer struct {
	chart.Renderer
	size    float64
	rotated bool
}

func (r *pngRenderer) SetFontSize(size float64) { r.size = size; r.Renderer.SetFontSize(size) }

func (r *pngRenderer) SetTextRotation(radians float64) {
	r.rotated = true
	r.Renderer.SetTextRotation(radians)
}

func (r *pngRenderer) ClearTextRotation() { r.rotated = false; r.Renderer.ClearTextRotation() }

// MeasureText measures the text's width by its glyphs and its height by its size.
func (r *pngRenderer) MeasureText(body string) chart.Box {
	box := r.Renderer.MeasureText(body)
	if !r.rotated && r.size > 0 {
		box.Bottom = box.Top + int(drawing.PointsToPixels(r.GetDPI(), r.size))
	}
	return box
}
