// TaskGraph: tasks with dependencies ("bake after preheat and dough").
// Pure data plus validation; run_graph() executes one on a Runtime.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "base/status.h"
#include "runtime/asio.h"

namespace preheat::runtime {

class Runtime;

class TaskGraph {
 public:
  using NodeId = std::size_t;

  // Adds a node; its predecessors may be added later (ids are positions).
  NodeId add(std::string name, std::vector<NodeId> after = {});
  void add_edge(NodeId from, NodeId to);  // `to` runs after `from`

  std::size_t size() const { return nodes_.size(); }
  const std::string& name(NodeId id) const { return nodes_[id].name; }
  const std::vector<NodeId>& after(NodeId id) const { return nodes_[id].after; }

  // Every node after all of its predecessors; among nodes that are ready at
  // the same time, the one added first comes first (Kahn's algorithm with a
  // min-heap), so the order is deterministic. A cycle is an invalid_argument
  // error that names the tasks on it: "cycle: a -> b -> a".
  // An edge to a node id that does not exist is an invalid_argument error.
  Result<std::vector<NodeId>> topological_order() const;

 private:
  struct Node {
    std::string name;
    std::vector<NodeId> after;
  };
  std::vector<Node> nodes_;
};

// Runs every node: node i's body starts once the bodies of all its
// predecessors have finished. In sequential mode that is one body after the
// other in topological order. The first body to throw cancels the rest and
// its exception is rethrown when all have stopped.
// REQUIRES: graph.topological_order() is ok.
Task<void> run_graph(Runtime& rt, const TaskGraph& graph, std::function<Task<void>(TaskGraph::NodeId)> body);

}  // namespace preheat::runtime
