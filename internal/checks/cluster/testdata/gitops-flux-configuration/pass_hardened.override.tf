# The base as it is: the flux extension with a Flux configuration.
