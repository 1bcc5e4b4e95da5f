#include "runtime/task_graph.h"

#include <algorithm>
#include <functional>
#include <memory>
#include <queue>

#include "runtime/event.h"
#include "runtime/runtime.h"
#include "runtime/scope.h"

namespace preheat::runtime {

TaskGraph::NodeId TaskGraph::add(std::string name, std::vector<NodeId> after) {
  nodes_.push_back(Node{std::move(name), std::move(after)});
  return nodes_.size() - 1;
}

void TaskGraph::add_edge(NodeId from, NodeId to) { nodes_[to].after.push_back(from); }

namespace {

// Finds one cycle among `remaining` nodes (those Kahn's algorithm could not
// order) and returns it as "a -> b -> a".
std::string describe_cycle(const TaskGraph& g, const std::vector<bool>& remaining) {
  // Follow predecessor links inside the remaining set until a node repeats.
  TaskGraph::NodeId start = 0;
  while (!remaining[start]) ++start;
  std::vector<int> seen_at(g.size(), -1);
  std::vector<TaskGraph::NodeId> path;
  TaskGraph::NodeId cur = start;
  while (seen_at[cur] < 0) {
    seen_at[cur] = static_cast<int>(path.size());
    path.push_back(cur);
    for (TaskGraph::NodeId p : g.after(cur)) {
      if (remaining[p]) {
        cur = p;
        break;
      }
    }
  }
  // path[seen_at[cur]..] is the cycle walked backwards (each node's
  // predecessor follows it); print it in execution order.
  std::vector<TaskGraph::NodeId> cycle(path.begin() + seen_at[cur], path.end());
  std::reverse(cycle.begin(), cycle.end());
  // Start at the task that was added first, for a stable message.
  std::rotate(cycle.begin(), std::min_element(cycle.begin(), cycle.end()), cycle.end());
  std::string out;
  for (TaskGraph::NodeId n : cycle) out += "'" + g.name(n) + "' -> ";
  out += "'" + g.name(cycle.front()) + "'";
  return out;
}

}  // namespace

Result<std::vector<TaskGraph::NodeId>> TaskGraph::topological_order() const {
  const std::size_t n = nodes_.size();
  std::vector<std::size_t> missing(n, 0);
  std::vector<std::vector<NodeId>> next(n);
  for (NodeId i = 0; i < n; ++i) {
    for (NodeId p : nodes_[i].after) {
      if (p >= n) return Status::invalid_argument("task '" + nodes_[i].name + "' depends on a task that does not exist");
      ++missing[i];
      next[p].push_back(i);
    }
  }
  std::priority_queue<NodeId, std::vector<NodeId>, std::greater<>> ready;
  for (NodeId i = 0; i < n; ++i) {
    if (missing[i] == 0) ready.push(i);
  }
  std::vector<NodeId> order;
  order.reserve(n);
  while (!ready.empty()) {
    NodeId i = ready.top();
    ready.pop();
    order.push_back(i);
    for (NodeId s : next[i]) {
      if (--missing[s] == 0) ready.push(s);
    }
  }
  if (order.size() != n) {
    std::vector<bool> remaining(n, true);
    for (NodeId i : order) remaining[i] = false;
    return Status::invalid_argument("cycle: " + describe_cycle(*this, remaining));
  }
  return order;
}

namespace {

Task<void> run_node(const TaskGraph& graph, TaskGraph::NodeId id, std::vector<std::unique_ptr<Event>>& done,
                    std::function<Task<void>(TaskGraph::NodeId)>& body) {
  for (TaskGraph::NodeId p : graph.after(id)) co_await done[p]->wait();
  co_await body(id);
  done[id]->set();
}

}  // namespace

Task<void> run_graph(Runtime& rt, const TaskGraph& graph, std::function<Task<void>(TaskGraph::NodeId)> body) {
  auto order = graph.topological_order();
  if (!order.ok()) throw std::invalid_argument(order.status().message());
  std::vector<std::unique_ptr<Event>> done;
  done.reserve(graph.size());
  for (std::size_t i = 0; i < graph.size(); ++i) done.push_back(std::make_unique<Event>(rt.executor()));
  Scope scope(rt.executor());
  for (TaskGraph::NodeId id : *order) scope.spawn(run_node(graph, id, done, body));
  co_await scope.join();
}

}  // namespace preheat::runtime
