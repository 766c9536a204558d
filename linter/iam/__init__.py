"""IAM policy evaluation for CTL007: can a trail's delivery role write to its log group?

One module, one job, imported only when a trail's role is defined in the scanned code:

- :mod:`.match`: three-valued wildcard matching of IAM patterns against partly unknown values;
- :mod:`.policy`: policy documents as plain data (from dicts, JSON text or unknown values);
- :mod:`.evaluate`: one request evaluated against policies as IAM does (an explicit Deny wins);
- :mod:`.managed`: the AWS managed policies whose effect on delivery is known, by ARN;
- :mod:`.tfdoc`: Terraform's ``data "aws_iam_policy_document"`` as a pure function;
- :mod:`.delivery`: the delivery check itself (trust, the two actions, accounts).
"""
