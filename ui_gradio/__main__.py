"""`python -m ui_gradio`: serve the Gradio page on GRADIO_PORT (7860) and GRADIO_HOST or HOST for API_URL."""

from __future__ import annotations

import os

# No phoning home: Sightline may run where there is no internet.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from client import SightlineClient, load_config
from client.geo import assets_script
from ui_gradio.app import CSS
from ui_gradio.layout import build_demo

MAX_FILE_SIZE = "200mb"  # the API's default MAX_UPLOAD_MB


def main() -> None:
    """Build the page and serve it until interrupted."""
    host = os.environ.get("GRADIO_HOST") or os.environ.get("HOST") or "127.0.0.1"
    port = int(os.environ.get("GRADIO_PORT", "7860"))
    demo = build_demo(SightlineClient.from_config(load_config()))
    print(f"Sightline Gradio UI on http://{host}:{port} (API {load_config().api_url})", flush=True)
    demo.launch(
        server_name=host,
        server_port=port,
        css=CSS,
        head=assets_script(),  # the world map for plotly, so maps draw without internet
        ssr_mode=False,
        max_file_size=MAX_FILE_SIZE,
        show_error=False,
        footer_links=[],
    )


if __name__ == "__main__":
    main()
