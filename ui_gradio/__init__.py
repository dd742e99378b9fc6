"""Gradio front end of Sightline (`python -m ui_gradio`): thin over `client.SightlineClient`."""
