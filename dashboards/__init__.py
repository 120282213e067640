"""The socbiz dashboard (Solara): ``socbiz dashboard [SCENARIO]``.

``app.py`` is what Solara serves; ``state.py`` holds one tab's simulation (no Solara);
``controller.py`` turns clicks into session calls; ``charts.py`` draws the figures;
``levers.py`` describes the forms from the model's parameter declarations; ``components/``
holds the Solara components, one module per view.
"""
