# The base runs Cilium: its Windows pool's pods are not filtered.
