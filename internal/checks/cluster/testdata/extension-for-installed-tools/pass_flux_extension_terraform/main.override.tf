# The base as it is: the flux extension is declared.
