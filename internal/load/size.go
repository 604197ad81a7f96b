package load

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
)

// errLarger stops the walk of InputsLargerThan once it has its answer.
var errLarger = errors.New("inputs larger than asked")

// InputsLargerThan says whether the files under paths hold more than n bytes: the regular
// files named or under the folders named, links not followed, standard input not counted
// (its size is not known before it is read). It stops walking at the first byte over n and
// reports no error: what cannot be read here is the load's to report. A front-end plans
// with it (how much the scan will hold) before the load reads anything.
func InputsLargerThan(paths []string, n int64) bool {
	var total int64
	add := func(size int64) error {
		if total += size; total > n {
			return errLarger
		}
		return nil
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		switch {
		case err != nil:
			continue
		case !info.IsDir():
			if info.Mode().IsRegular() && add(info.Size()) != nil {
				return true
			}
			continue
		}
		err = filepath.WalkDir(p, func(_ string, d fs.DirEntry, err error) error {
			if err != nil || !d.Type().IsRegular() {
				return nil
			}
			info, err := d.Info()
			if err != nil {
				return nil
			}
			return add(info.Size())
		})
		if errors.Is(err, errLarger) {
			return true
		}
	}
	return false
}
