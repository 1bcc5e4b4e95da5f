// Asio's separately compiled implementation: the only translation unit that
// compiles it (see BOOST_ASIO_SEPARATE_COMPILATION in the top CMakeLists).
#include <boost/asio/impl/src.hpp>
