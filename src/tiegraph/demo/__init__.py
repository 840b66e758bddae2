"""Deterministic generator of a realistic demo organization, written as real export files."""

from tiegraph.demo.generate import generate_demo
from tiegraph.demo.manifest import DemoManifest
from tiegraph.demo.scale import DemoScale

__all__ = ["DemoManifest", "DemoScale", "generate_demo"]
