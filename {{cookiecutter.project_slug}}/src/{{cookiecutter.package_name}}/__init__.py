"""{{ cookiecutter.project_name|replace('\\', '\\\\')|replace('"', '\\"') }}.

{{ cookiecutter.description|replace('\\', '\\\\')|replace('"', '\\"')|wordwrap(88) }}
"""
