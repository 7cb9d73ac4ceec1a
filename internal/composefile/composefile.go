// Package composefile loads a lab's compose file, plus the user's override
// file when present, with compose-go: the same model `docker compose` reads,
// so what `sentinel-lab up` starts is what the files on disk say.
package composefile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"

	"github.com/compose-spec/compose-go/v2/cli"
	"github.com/compose-spec/compose-go/v2/types"

	"github.com/sentinel-lab/sentinel-lab/internal/labdir"
)

// Files lists the compose files of the lab that exist, main file first.
func Files(dir labdir.Dir) []string {
	files := []string{dir.ComposeFile()}
	if _, err := os.Stat(dir.OverrideFile()); err == nil {
		files = append(files, dir.OverrideFile())
	}
	return files
}

// Load reads the lab's compose files as project `name`. Interpolation sees,
// in order of precedence, env, then the process environment, then
// compose/.env: env carries the values sentinel-lab resolved, which must win
// over a stale shell variable.
func Load(ctx context.Context, dir labdir.Dir, name string, env map[string]string) (*types.Project, error) {
	if _, err := os.Stat(dir.ComposeFile()); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("%s does not exist; run `sentinel-lab render` or `sentinel-lab up` to create it", dir.Rel(dir.ComposeFile()))
		}
		return nil, err
	}
	overrides := make([]string, 0, len(env))
	for k, v := range env {
		overrides = append(overrides, k+"="+v)
	}
	sort.Strings(overrides)
	opts := []cli.ProjectOptionsFn{
		cli.WithWorkingDirectory(filepath.Join(dir.Root, labdir.ComposeDir)),
		cli.WithEnv(overrides),
		cli.WithOsEnv,
	}
	if _, err := os.Stat(dir.EnvFile()); err == nil {
		opts = append(opts, cli.WithEnvFiles(dir.EnvFile()), cli.WithDotEnv)
	}
	opts = append(opts, cli.WithName(name))
	po, err := cli.NewProjectOptions(Files(dir), opts...)
	if err != nil {
		return nil, fmt.Errorf("reading the compose files: %w", err)
	}
	project, err := po.LoadProject(ctx)
	if err != nil {
		return nil, fmt.Errorf("loading the compose files: %w", err)
	}
	return project, nil
}
