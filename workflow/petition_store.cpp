#include "workflow/petition_store.hpp"

#include <future>

namespace checkpoint::workflow {

namespace {

template <class Start>
result<write_status> wait_for(Start start)
{
    std::promise<result<write_status>> done;
    auto outcome = done.get_future();
    start([&done](result<write_status> r) { done.set_value(std::move(r)); });
    return outcome.get();
}

} // namespace

result<write_status> petition_store::file(const petition_write& w)
{
    return wait_for([&](write_done d) { file_async(w, std::move(d)); });
}

result<write_status> petition_store::apply(const petition_write& w)
{
    return wait_for([&](write_done d) { apply_async(w, std::move(d)); });
}

} // namespace checkpoint::workflow
