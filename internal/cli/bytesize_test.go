package cli

import "testing"

// TestByteSize: bytes, Kubernetes quantities and the units people write with a B all read as
// the bytes they mean; the help shows the default in binary units.
func TestByteSize(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]int64{
		"33554432": 33554432, "32Mi": 32 << 20, "32MiB": 32 << 20, "1Gi": 1 << 30, "1GiB": 1 << 30,
		"100MB": 100_000_000, "100M": 100_000_000, "64k": 64_000, "64KB": 64_000, "64K": 64_000, "64KiB": 64 << 10,
		"2Ki": 2048, "1.5Gi": 3 << 29, "4G": 4_000_000_000,
	} {
		var b byteSize
		if err := b.Set(in); err != nil || int64(b) != want {
			t.Errorf("Set(%q) = %d, %v; want %d", in, int64(b), err, want)
		}
	}
	var padded byteSize
	if err := padded.Set(" 2Ki "); err != nil || padded != 2048 {
		t.Errorf("Set with spaces = %d, %v", int64(padded), err)
	}
	for _, in := range []string{"", "0", "-1", "0.5", "1.5", "B", "12XB", "1e400", "lots", "1Mb", "E5555555555", "1E5555555555", "5E+55", "123456789012345678901"} {
		var b byteSize
		if err := b.Set(in); err == nil {
			t.Errorf("Set(%q) = %d, want an error", in, int64(b))
		}
	}
	for n, want := range map[byteSize]string{32 << 20: "32Mi", 1 << 30: "1Gi", 1000: "1000", 1536: "1536"} {
		if got := n.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", int64(n), got, want)
		}
	}
}

// FuzzByteSize: any text is a size above 0 or an error, never a panic, and a size shown in the
// help reads back as itself.
func FuzzByteSize(f *testing.F) {
	for _, s := range []string{"33554432", "32Mi", "100MB", "64KiB", "1.5Gi", "1e3", "0", "-1", "9223372036854775807", "8Ei", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var b byteSize
		if err := b.Set(s); err != nil {
			return
		}
		if b <= 0 {
			t.Fatalf("Set(%q) = %d without an error", s, int64(b))
		}
		var again byteSize
		if err := again.Set(b.String()); err != nil || again != b {
			t.Fatalf("Set(%q) = %d, shown as %q, reads back as %d, %v", s, int64(b), b.String(), int64(again), err)
		}
	})
}
