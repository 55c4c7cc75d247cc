package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// maxFileSize bounds what Load reads: a config is a few kilobytes.
const maxFileSize = 4 << 20

// Load reads the file at path (YAML for .yaml and .yml, JSON for .json),
// decodes it strictly and validates it. Config.Dir is set to the file's
// directory. The error joins a *FieldError per problem: decoding problems
// first; validation runs only on a file that decoded cleanly, so that one
// mistake is not reported twice.
func Load(path string) (*Config, error) {
	format, err := formatOf(path)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("config: %s: larger than %d bytes", path, maxFileSize)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	c, err := Parse(data, format)
	if err != nil {
		return nil, err
	}
	c.Dir = filepath.Dir(path)
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

func formatOf(path string) (string, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return "yaml", nil
	case ".json":
		return "json", nil
	}
	return "", fmt.Errorf("config: %s: unknown file type (want .yaml, .yml or .json)", path)
}

// Candidates are the files Find looks for, in order: edgebar's node
// directory first, then Crossbar's.
var Candidates = []string{
	".edgebar/config.yaml",
	".edgebar/config.yml",
	".edgebar/config.json",
	".crossbar/config.json",
	".crossbar/config.yaml",
	".crossbar/config.yml",
}

// Find returns the first of Candidates that exists under dir, or "" when
// none does (then the node runs Default).
func Find(dir string) (string, error) {
	for _, c := range Candidates {
		p := filepath.Join(dir, filepath.FromSlash(c))
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config: %w", err)
		}
	}
	return "", nil
}

// FindIn looks for a config file directly in a node directory (Crossbar's
// --cbdir): config.yaml, config.yml, then config.json. It returns "" when
// there is none.
func FindIn(nodeDir string) (string, error) {
	for _, name := range []string{"config.yaml", "config.yml", "config.json"} {
		p := filepath.Join(nodeDir, name)
		_, err := os.Stat(p)
		if err == nil {
			return p, nil
		}
		if !errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("config: %w", err)
		}
	}
	return "", nil
}
