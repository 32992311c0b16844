"""What the tests read in the monitoring job definitions of a stack: the attributes that
name a monitor's baseline files, in the aws provider's data-quality job definition and
awscc's model-quality, bias and explainability ones. test_runtime_permissions checks the
job's role may read them, test_baselines that a pipeline step writes them."""

BASELINE_CONFIGS = ("data_quality_baseline_config", "model_quality_baseline_config",
                    "model_bias_baseline_config", "model_explainability_baseline_config")
