"""The interface: what people see and type. The `bpw` command line (`interface.cli`),
its console output and `--format` (`interface.formats`, `interface.render`), the status,
history and alias views, and `bpw report` (`interface.report`).

The top ring: it calls the Prefect flow (`flows`), the plain pipeline and the
warehouse; nothing below imports it.
"""
