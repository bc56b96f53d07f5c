"""The model of a system: schema, loader, diagnostics and graph queries."""

from __future__ import annotations

from threatforge.model._json_reader import JsonLimits, parse_json_text, read_json_file
from threatforge.model._model import Element, Model
from threatforge.model._yaml import Limits, ReadError
from threatforge.model.diagnostics import Diagnostic, Level, Location
from threatforge.model.graph import Crossing, ModelGraph, Reach
from threatforge.model.loader import LoadResult, load, load_text, load_with_diagnostics
from threatforge.model.schema import (
    Assumption,
    Authn,
    Authz,
    Boundary,
    BoundaryKind,
    Classification,
    Component,
    ComponentKind,
    Control,
    ControlStatus,
    Criticality,
    DataAsset,
    EncryptionAtRest,
    Exposure,
    Flow,
    ModelFile,
    System,
    TrackingEntry,
    TrackingStatus,
    TrustLevel,
)

__all__ = [
    "Assumption",
    "Authn",
    "Authz",
    "Boundary",
    "BoundaryKind",
    "Classification",
    "Component",
    "ComponentKind",
    "Control",
    "ControlStatus",
    "Criticality",
    "Crossing",
    "DataAsset",
    "Diagnostic",
    "Element",
    "EncryptionAtRest",
    "Exposure",
    "Flow",
    "JsonLimits",
    "Level",
    "Limits",
    "LoadResult",
    "Location",
    "Model",
    "ModelFile",
    "ModelGraph",
    "Reach",
    "ReadError",
    "System",
    "TrackingEntry",
    "TrackingStatus",
    "TrustLevel",
    "load",
    "load_text",
    "load_with_diagnostics",
    "parse_json_text",
    "read_json_file",
]
