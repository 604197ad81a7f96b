# The base as it is: the AKS Backup extension and a backup instance of the cluster.
