"""The fixture suite's conftest: pytest finds its rootdir here; nothing else to set up."""
