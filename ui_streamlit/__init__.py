"""Streamlit front end of Sightline: thin pages over `client.SightlineClient`."""
