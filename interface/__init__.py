"""The interface: what people see and type. The `bpw` command line (`interface.cli`, the
entry point; its commands in `interface.commands`, a plain `bpw status` answered without
typer by `interface.quick`), its console output and `--format` (`interface.formats`,
`interface.render`), the status, history and alias views, and `bpw report`
(`interface.report`).

The top ring: it calls the Prefect flow (`flows`), the plain pipeline and the
warehouse; nothing below imports it.
"""
