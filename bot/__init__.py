"""The channels: Slack, LINE, the web page, the server and the CLI. They only render answers."""

import knowledge  # noqa: F401  (first: it sets the BLAS thread default before any library loads numpy)
