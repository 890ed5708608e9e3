"""The delivery actions (declared in ``core/roles.yaml``)."""

READ = "delivery.read"  # dashboards, reviews, the budget path
REPORT = "delivery.report"  # owners' check-ins, milestones, comments, sign-offs
JUDGE = "delivery.judge"  # the secretariat's judgement
MANAGE = "delivery.manage"  # the deployments register, review rounds, capability targets
