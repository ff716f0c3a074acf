"""STUB of langchain_core.tools for Sandpool's client test; not the real package.

Only what langchain_azure_dynamic_sessions.tools.sessions needs: a pydantic ``BaseTool`` whose
``invoke``/``run`` call ``_run``. Like the real one, a tool with
``response_format == "content_and_artifact"`` returns only the content from ``invoke``; the
artifact is kept on ``last_artifact`` so tests can inspect it.
"""

from typing import Any, Optional

from pydantic import BaseModel, ConfigDict, PrivateAttr


class ToolException(Exception):
    """STUB: error a tool may raise."""


class BaseTool(BaseModel):
    """STUB: the smallest BaseTool the Azure dynamic sessions tools run on."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    name: str
    description: str = ""
    response_format: str = "content"

    _last_artifact: Any = PrivateAttr(default=None)

    @property
    def last_artifact(self) -> Any:
        return self._last_artifact

    def _run(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError

    def run(self, tool_input: Any, **kwargs: Any) -> Any:
        if isinstance(tool_input, dict):
            output = self._run(**tool_input, **kwargs)
        else:
            output = self._run(tool_input, **kwargs)
        if self.response_format == "content_and_artifact":
            content, artifact = output
            self._last_artifact = artifact
            return content
        return output

    def invoke(self, input: Any, config: Optional[dict] = None, **kwargs: Any) -> Any:
        # The real invoke also accepts a ToolCall dict {"args": {...}, ...}; unwrap its args.
        if isinstance(input, dict) and "args" in input:
            args = input["args"]
            input = next(iter(args.values())) if len(args) == 1 else args
        return self.run(input, **kwargs)
