# The base as it is.
