"""ipywidgets pieces shared by the exercises and dashboards (import the submodule you need)."""
