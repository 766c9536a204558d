aws_secret_access_key = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYTOPSECRET"
