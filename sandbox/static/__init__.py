"""Page assets (CSS, JavaScript) served under /_static; a package so that builds ship them."""
