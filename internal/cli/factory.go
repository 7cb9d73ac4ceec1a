package cli

// Factory makes the dependencies commands need, lazily: `render` and
// `--help` never connect to Docker.
type Factory struct{}

// NewFactory returns the factory of the real dependencies.
func NewFactory() *Factory { return &Factory{} }
