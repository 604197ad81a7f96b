package upgrade

import (
	"fmt"
	"strconv"
	"strings"
)

// maxMinor bounds the minors --to accepts: a number past it is a typo, not a version.
const maxMinor = 999

// ParseTarget reads --to: a Kubernetes minor ("1.36", "v1.36") or a version of one
// ("1.36.2", whose minor is planned to). It returns the minor as "1.N".
func ParseTarget(s string) (string, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.Split(v, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return "", fmt.Errorf("--to %q: want a Kubernetes minor version such as 1.36", s)
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if p == "" || len(p) > 3 || (len(p) > 1 && p[0] == '0') || strings.Trim(p, "0123456789") != "" {
			return "", fmt.Errorf("--to %q: %q is not a version number (want a minor such as 1.36)", s, p)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 {
			return "", fmt.Errorf("--to %q: %q is not a version number (want a minor such as 1.36)", s, p)
		}
		nums[i] = n
	}
	if nums[0] != 1 {
		return "", fmt.Errorf("--to %q: Kubernetes has no major version %d (want 1.N)", s, nums[0])
	}
	if nums[1] > maxMinor {
		return "", fmt.Errorf("--to %q: minor %d is out of range", s, nums[1])
	}
	return "1." + strconv.Itoa(nums[1]), nil
}
