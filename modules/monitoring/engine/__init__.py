"""The monitoring engine: mlops's own monitoring job, for accounts where SageMaker Model
Monitor and Clarify are closed (AWS no longer opens them to new customers).

It runs as a SageMaker Processing job in the scikit-learn processing image (python3,
numpy and boto3 are all it uses), started on a schedule: Processing downloads the
endpoint's data capture, the baseline and the ground truth from S3 to local folders,
`job.py` compares them and writes its reports to a local folder that Processing uploads,
and publishes CloudWatch metrics that alarms watch. The same files run on a laptop
(README, "Run the monitoring job on your own capture files").

Vocabulary:
- *capture*: the JSON Lines files SageMaker data capture writes, one *event* (a request
  and its response) per line (`capture.py`).
- *ground truth*: the labels a team uploads for captured events, in Model Monitor's
  JSON Lines format, joined to events by inference id or event id.
- *columns*: the names of the endpoint's CSV input columns, in order; *features*: the
  columns a monitor checks. Names always come from configuration, never positions.
- *baseline*: `statistics.json` and `constraints.json` computed from the training data
  (`baseline.py`); a *window*: the capture one run reads.
- *violation*: a constraint the window breaks (data, not an error: the job still exits 0).
- *metric*: a CloudWatch metric (namespace, name, dimensions, unit) an alarm can watch;
  *datum*: one value of it at one time (`metrics.py`).

Every file here works both as `mlops_modules.monitoring.engine.<file>` (tests, local
runs) and as a top-level module of the uploaded folder (`python3 job.py`), hence the
`try: from . import x / except ImportError: import x` at the top of each.
"""
