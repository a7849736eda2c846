"""linea: Python helpers around the linea compiler's command-line tools."""
