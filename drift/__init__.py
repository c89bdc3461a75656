"""The drift checker: Terraform state versus live AWS."""
