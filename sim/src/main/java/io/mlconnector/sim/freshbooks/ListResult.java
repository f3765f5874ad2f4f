package io.mlconnector.sim.freshbooks;

import java.util.List;
import tools.jackson.databind.node.ObjectNode;

/** One page of a listing with the paging ints of the list envelope. */
public record ListResult(List<ObjectNode> items, int page, int pages, int perPage, int total) {}
