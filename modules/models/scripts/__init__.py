"""Scripts mlops ships to run on AWS inside SageMaker jobs. Terraform uploads each one
to S3 (their text is package data of this folder), and the tests run them on synthetic
data. Nothing here is imported by the compiler."""
