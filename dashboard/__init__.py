"""UI helpers of the Streamlit dashboard (``streamlit_app.py``).

Only this package and ``streamlit_app.py`` import streamlit; the ``mapapp`` library never does.
"""
