// Orders: the list of product orders and the page of one order (routes /orders and /orders/$orderId).
export { OrdersPage } from './list.tsx';
export { OrderPage } from './order.tsx';
