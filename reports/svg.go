package reports

import (
	"html"

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
	return &svgRenderer{Renderer: r, faces: make(map[float64]font.Face)}, nil
}

type svgRenderer struct {
	chart.Renderer
	font  *truetype.Font
	size  float64
	theta *float64
	faces map[float64]font.Face // by size, for font
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
