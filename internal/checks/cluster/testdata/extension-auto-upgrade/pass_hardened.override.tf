# The base as it is: extensions without version take minor upgrades.
