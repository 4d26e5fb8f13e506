#include "storage/connection.hpp"

namespace checkpoint::storage {

statement_ref connection::use(std::string_view sql)
{
    auto it = cache_.find(sql);
    if (it == cache_.end())
        it = cache_.emplace(std::string(sql), prepare(std::string(sql))).first;
    auto& slot = it->second;
    slot->reset();
    return statement_ref(*slot);
}

} // namespace checkpoint::storage
