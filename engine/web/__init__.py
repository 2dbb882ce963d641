"""The web page (`kader serve`): a thin layer over the same use cases as the command line.

- site.py: the served folders: the teams (latest assessment per team), their files, the sweep;
- forms.py: the questionnaire as form fields, and a posted form back into answers;
- access.py: who may do what (the local token, accounts with roles);
- app.py: the Flask application: pages, the JSON API, sessions, CSRF, security headers;
- serve.py: run it with waitress and print the address with the access token.

The assessment files stay the single source of truth: every page reads them, every save writes them
(editors/answersave.py), validated exactly as the command line validates them.
"""
