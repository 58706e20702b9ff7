package metrics

import (
	"github.com/prometheus/client_golang/prometheus"
	clientmodel "github.com/prometheus/client_model/go"
)

// dto reads a counter's current value.
type dto struct{ v float64 }

func (d *dto) read(c prometheus.Counter) error {
	var m clientmodel.Metric
	if err := c.Write(&m); err != nil {
		return err
	}
	d.v = m.GetCounter().GetValue()
	return nil
}
