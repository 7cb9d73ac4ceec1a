package enginetest

import (
	"context"
	"io"
)

// HasImage tells whether ref is present.
func (f *Fake) HasImage(ref string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.images[ref]
}

// ImageExists tells whether ref was given to New, pulled or built.
func (f *Fake) ImageExists(_ context.Context, ref string) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("ImageExists", ref); err != nil {
		return false, err
	}
	return f.images[ref], nil
}

// PullImage makes ref present.
func (f *Fake) PullImage(_ context.Context, ref string, _ io.Writer) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("PullImage", ref); err != nil {
		return err
	}
	f.images[ref] = true
	return nil
}

// BuildImage reads the build context and makes tag present.
func (f *Fake) BuildImage(_ context.Context, tag string, buildContext io.Reader, _ io.Writer) error {
	if _, err := io.Copy(io.Discard, buildContext); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.begin("BuildImage", tag); err != nil {
		return err
	}
	f.images[tag] = true
	return nil
}
