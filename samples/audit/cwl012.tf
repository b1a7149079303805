resource "aws_cloudwatch_log_group" "trail" {
  name = "CloudTrail/audit"
}

resource "aws_cloudtrail" "trail" {
  name = "audit-trail"
  s3_bucket_name = "trail-bucket"
  enable_logging = true
  is_multi_region_trail = true
  cloud_watch_logs_group_arn = "${aws_cloudwatch_log_group.trail.arn}:*"
  event_selector {
    read_write_type = "All"
    include_management_events = true
  }
}

resource "aws_sns_topic" "alarms" {
  name = "cwfilter-audit-alarms"
}

resource "aws_sns_topic_subscription" "email" {
  topic_arn = "${aws_sns_topic.alarms.arn}"
  protocol = "email"
  endpoint = "security@example.com"
}

resource "aws_cloudwatch_log_metric_filter" "f0" {
  name = "audit-filter-0"
  log_group_name = "${aws_cloudwatch_log_group.trail.name}"
  pattern = "{ ($.eventSource = s3.amazonaws.com) && (($.eventName = PutBucketAcl) || ($.eventName = PutBucketPolicy) || ($.eventName = PutBucketCors) || ($.eventName = PutBucketLifecycle) || ($.eventName = PutBucketReplication) || ($.eventName = DeleteBucketPolicy) || ($.eventName = DeleteBucketCors) || ($.eventName = DeleteBucketLifecycle) || ($.eventName = DeleteBucketReplication)) }"
  metric_transformation {
    name = "S3BucketEventCount"
    namespace = "CloudTrailMetrics"
    value = "1"
  }
}

resource "aws_cloudwatch_metric_alarm" "a0" {
  alarm_name = "audit-alarm-0"
  actions_enabled = true
  alarm_actions = ["${aws_sns_topic.alarms.arn}"]
  evaluation_periods = 1
  threshold = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  metric_name = "S3BucketEventCount"
  namespace = "CloudTrailMetrics"
  statistic = "Sum"
  period = 300
}
