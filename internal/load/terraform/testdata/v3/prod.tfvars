location        = "westeurope"
private_cluster = true
