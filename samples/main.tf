# The README's Terraform example: a heredoc pattern, a variable with a default, a ternary log group.
variable "namespace" {
  type    = string
  default = "CloudTrailMetrics"
}

resource "aws_cloudwatch_log_metric_filter" "s3_changes" {
  name           = "s3-bucket-changes"
  log_group_name = var.env == "prod" ? aws_cloudwatch_log_group.trail.name : "dev-trail"
  pattern        = <<-EOT
    { ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy)) }
  EOT

  metric_transformation {
    name      = "S3BucketEventCount"
    namespace = var.namespace
    value     = "1"
  }
}
