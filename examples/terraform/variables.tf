variable "location" {
  type        = string
  description = "Azure region of the shop."
}

variable "kubernetes_version" {
  type    = string
  default = "1.35.6"
}

variable "api_allowed_ranges" {
  type        = list(string)
  description = "Office and CI egress ranges allowed to reach the API server."
  default     = ["203.0.113.0/24", "198.51.100.14/32"]
}

variable "windows_admin_password" {
  type      = string
  sensitive = true
}

locals {
  tags = {
    app        = "shop"
    env        = "prod"
    owner      = "platform-team"
    costCenter = "4711"
  }
}
