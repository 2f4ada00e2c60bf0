"""The Gradio chat front end, mounted in the API app at /ui."""
