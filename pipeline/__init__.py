"""The pipeline as plain Python (no Prefect): discover, read, gate, archive, publish,
validate (`pipeline.run`), from the steps in `pipeline.steps`, writing into the data
home through `pipeline.datahome`.

`flows.nightly` runs it as a Prefect flow, each task one call into `pipeline.run`;
`bpw validate` and the tests call it directly.
"""
